/**
 * Stands in for Electron's utility process under Node: installs `process.parentPort` the way
 * Electron does (an emitter of 'message' events whose `data` is the parent's message, with
 * postMessage back to the parent), then loads the entry module given as the first argument,
 * exactly as `utilityProcess.fork(entry)` would. Here the parent is a Node parent over the
 * fork IPC channel; the entry never sees that channel, only the parentPort.
 *
 * Usage: fork('utility-process-host.mjs', [entry, ...args], { serialization: 'advanced' })
 */
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';

const [entry, ...args] = process.argv.slice(2);
if (!entry) throw new Error('utility-process-host: the entry module is the first argument');
if (!process.send) throw new Error('utility-process-host: start it with an IPC channel');

class ParentPort extends EventEmitter {
  postMessage(message) {
    process.send(message);
  }
}
const parentPort = new ParentPort();
// Like Electron's port, it holds what the parent sent until the entry listens for 'message'.
const held = [];
const deliver = (message) => parentPort.emit('message', { data: message, ports: [] });
process.on('message', (message) =>
  parentPort.listenerCount('message') > 0 ? deliver(message) : held.push(message),
);
parentPort.on('newListener', (name) => {
  if (name === 'message') setImmediate(() => held.splice(0).forEach(deliver));
});
// Electron's utility process ends when its parent goes; so does this one.
process.on('disconnect', () => process.exit(0));
Object.defineProperty(process, 'parentPort', { value: parentPort, enumerable: true });
process.argv = [process.argv[0], entry, ...args];

await import(pathToFileURL(entry).href);
