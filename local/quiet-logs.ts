// Imported first by `npm start`: the components' JSON logs stay at warnings unless LOG_LEVEL asks for more, so
// the progress a person follows is not buried.
process.env.LOG_LEVEL ??= 'warn';
