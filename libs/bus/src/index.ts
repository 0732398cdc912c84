export * from './connection';
export * from './bus-client';
export * from './bus-server';
export * from './answer';
export * from './events';
export * from './health';
export * from './announcements';
export * from './follow';
