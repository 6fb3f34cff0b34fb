/**
 * The typed contract between the main side and the renderer. No Node or Electron imports: the
 * renderer imports its types, the main side its schemas and dispatcher.
 */
export * from './errors';
export * from './exhaustive';
export * from './request-spec';
export * from './requests';
export * from './events';
export * from './metrics';
export * from './run-status';
export * from './app-name';
export * from './system';
export * from './backends';
export * from './bridge';
export * from './wire';
export * from './dispatch';
export * from './config';
export * from './runs';
export * from './probe';
export * from './epoch-estimate';
