export { runCommand } from './command';
export { appendRunLog } from './runlog';
export { refreshSchedules } from './refresh-schedules';
