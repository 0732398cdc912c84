export * from './ask-until-ready';
export * from './event-notices';
export * from './idle-timer';
