/**
 * What backend selection (backend.ts) tells a user about a backend it could not use: the reason a
 * native package failed to load, and the commands or hardware that would enable it.
 */
import type { BackendCandidateReport } from './backend';
import { firstLine, installScriptApproved } from './backend-packages';

/** Turns a failed native require into a reason, naming a missing shared library (CUDA ones especially). */
export function describeNativeFailure(err: unknown): string {
  const message = firstLine(err);
  const missing = /(lib[\w+-]+\.so(?:\.\d+)*)\s*:\s*cannot open shared object/.exec(message)?.[1];
  if (missing && /cud|cublas|cufft|curand|cusolver|cusparse|nvinfer/.test(missing)) {
    return `native load failed: missing CUDA library ${missing} (tfjs-node-gpu 4.x needs CUDA 11.2 and cuDNN 8.1): ${message}`;
  }
  if (missing) return `native load failed: missing library ${missing}: ${message}`;
  return `native load failed: ${message}`;
}

export function hintsFor(candidate: BackendCandidateReport): string[] {
  const pkg = candidate.package;
  const reason = candidate.reason ?? '';
  if (candidate.name === 'wasm' || candidate.name === 'cpu') {
    return [`${candidate.name}: npm install ${pkg}`];
  }
  if (candidate.name === 'webgpu') return webGpuHints(candidate);
  const hints: string[] = [];
  const where =
    'on a machine with internet access: the install script downloads libtensorflow 2.9.1 ' +
    '(npm 11 runs it only when package.json allowScripts approves it, npm 10 always)';
  if (reason === 'package not installed') {
    hints.push(`${candidate.name}: npm install ${pkg}  -- ${where}`);
  } else if (reason.startsWith('native addon not built')) {
    const approve = installScriptApproved(pkg) ? '' : `npm install-scripts approve ${pkg} && `;
    hints.push(`${candidate.name}: ${approve}npm rebuild ${pkg}  -- ${where}`);
  } else if (!reason.includes('CUDA')) {
    hints.push(`${candidate.name}: npm rebuild ${pkg} --build-addon-from-source  -- ${where}`);
  }
  if (candidate.name === 'tensorflow-gpu') {
    const missing = /missing CUDA library (\S+)/.exec(reason)?.[1];
    hints.push(
      `tensorflow-gpu: needs an NVIDIA GPU with CUDA 11.2 and cuDNN 8.1 (libcudart.so.11.0, libcudnn.so.8) on the ` +
        `library path, e.g. LD_LIBRARY_PATH=/usr/local/cuda-11.2/lib64; newer CUDA installs lack these` +
        (missing ? ` (missing here: ${missing})` : ''),
    );
  }
  return hints;
}

function webGpuHints(candidate: BackendCandidateReport): string[] {
  const reason = candidate.reason ?? '';
  if (candidate.adapters?.length) return []; // software only: a hardware GPU is the fix, not a command
  if (reason === 'package not installed') return [`webgpu: npm install ${candidate.package} webgpu`];
  return [
    'webgpu: needs a GPU with a Vulkan (Linux), Metal (macOS) or D3D12 (Windows) driver; on Debian 12: ' +
      'apt-get install -t bookworm-backports libvulkan1 mesa-vulkan-drivers (Mesa 25) or the vendor driver',
  ];
}
