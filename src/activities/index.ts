export { runCommand } from './command';
export { appendRunLog } from './runlog';
