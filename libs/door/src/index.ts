export * from './ask-until-ready';
export * from './event-notices';
export * from './idle-timer';
export * from './live-settings';
export * from './login-attempts';
export * from './login-outcomes';
export * from './logins';
export * from './connection-limits';
