/** Every workflow type the worker runs. This module and what it imports are bundled for the
 * workflow sandbox: deterministic code only (see the lint rules in eslint.config.mjs). */
export { filing } from './filing/workflow';
export { allocator } from './allocator/workflow';
export { batch } from './batch/workflow';
export { certificateRevocation } from './batch/revocation';
export { certificateCorrection } from './certificate/correction';
export { certificateAmendment } from './certificate/amendment';
export { archiveRetention } from './archive/retention';
export { complaint } from './complaint/workflow';
export { inspectionDraw } from './inspection/workflow';
export { recognition } from './recognition/workflow';
