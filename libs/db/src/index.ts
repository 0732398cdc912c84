export * from './prisma';
export * from './migrate';
