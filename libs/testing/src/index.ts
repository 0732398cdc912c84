export * from './database';
export * from './environment';
export * from './logs';
export * from './waiting';
export * from './ssh-keys';
export * from './ports';
export * from './services';
export * from './test-ca';
