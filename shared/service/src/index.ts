export * from './context';
export * from './standalone';
