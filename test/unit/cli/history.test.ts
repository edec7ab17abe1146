import { analyseHistory } from '../../../cli/history.js';
import { HistoryBuilder, abortedIn, caughtFailure } from './fakes.js';

describe('analyseHistory', () => {
  test('a failure the workflow caught: the failed step is the one whose Lambda failed, and it ended in a Fail state', () => {
    const a = analyseHistory(caughtFailure('Check AWS References', 'MissingReferenceError', 'subnet-1 does not exist'));
    expect(a.failedStep).toEqual({ state: 'Check AWS References', error: 'MissingReferenceError', cause: 'subnet-1 does not exist' });
    expect(a.lastState).toEqual({ name: 'Failed', type: 'Fail' });
    expect(a.endedInFailState).toBe(true);
  });

  test('a retried step that then succeeds is not a failure', () => {
    const events = new HistoryBuilder().started().enter('Create Stack').lambdaFails('RetryableError', 'busy').lambdaOk().exit('Create Stack').task('Report Ready').enter('Ready', 'Succeed').succeeded().events;
    const a = analyseHistory(events);
    expect(a.failedStep).toBeUndefined();
    expect(a.endedInFailState).toBe(false);
  });

  test('an uncaught failure: the step that failed last', () => {
    const events = new HistoryBuilder().started().task('Read').enter('Apply').lambdaFails('States.TaskFailed', 'boom').failed('States.TaskFailed', 'boom').events;
    expect(analyseHistory(events)).toEqual({
      failedStep: { state: 'Apply', error: 'States.TaskFailed', cause: 'boom' },
      lastState: { name: 'Apply', type: 'Task' },
      endedInFailState: false,
    });
  });

  test('an aborted execution: no failed step, stopped in the running state', () => {
    const a = analyseHistory(abortedIn('Create Or Update Stack'));
    expect(a.failedStep).toBeUndefined();
    expect(a.lastState).toEqual({ name: 'Create Or Update Stack', type: 'Task' });
  });

  test('after a redrive the latest attempt counts; a redrive that only re-ran the Fail state keeps the original step', () => {
    const first = caughtFailure('Check AWS References', 'MissingReferenceError', 'x');
    const onlyFail = new HistoryBuilder().redriven().enter('Failed', 'Fail').failed('MissingReferenceError', 'x').events;
    expect(analyseHistory([...first, ...onlyFail]).failedStep?.state).toBe('Check AWS References');

    const again = new HistoryBuilder().redriven().enter('Apply').lambdaFails('Other', 'y').exit('Apply').enter('Failed', 'Fail').failed('Other', 'y').events;
    expect(analyseHistory([...first, ...again]).failedStep).toEqual({ state: 'Apply', error: 'Other', cause: 'y' });
  });

  test('the first caught failure is the origin, not a later one in the failure path', () => {
    const events = new HistoryBuilder()
      .started()
      .enter('Apply')
      .lambdaFails('MissingReferenceError', 'a')
      .exit('Apply')
      .enter('Report Failure')
      .lambdaFails('RetryableError', 'b')
      .exit('Report Failure')
      .enter('Failed', 'Fail')
      .failed('MissingReferenceError', 'a').events;
    expect(analyseHistory(events).failedStep?.state).toBe('Apply');
  });
});
