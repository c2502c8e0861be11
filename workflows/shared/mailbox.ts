/**
 * How an Update hands its work to the workflow's main loop — one way, in both workflows.
 *
 * The validator refuses before anything enters history; the handler then posts the work here and
 * waits. The main loop takes the work when it is ready for it (`take`), does it, and may give an
 * answer or a refusal. Every wait of the main loop goes through `wait`, which first answers the
 * work taken so far: so an Update answers once its transition is recorded, with the case's state
 * as it then stands (the next stage and its due date). Work is validated again when it is taken
 * and before every wait (the case may have moved on since its validator ran): work no longer
 * valid is refused then. Work that the loop never took is refused when the case ends (`close`).
 */
import { ApplicationFailure, condition } from '@temporalio/workflow';

/** Work by kind, from a map of kinds to inputs: `WorkOf<{ decide: DecideInput }>` is `{ kind: 'decide'; input: DecideInput }`. */
export type WorkOf<M> = { [K in keyof M]: { kind: K; input: M[K] } }[keyof M];

interface Letter<W> {
  work: W;
  /** posted by a signal or a handler that answered already: nobody waits for it */
  posted: boolean;
  answered: boolean;
  answer?: unknown;
  refusal?: ApplicationFailure;
}

export class Mailbox<W> {
  private readonly queued: Letter<W>[] = [];
  private readonly taken: Letter<W>[] = [];

  /**
   * `state()` is the default answer: the case's state when the work is answered. `stillValid(w)`
   * throws the refusal (an ApplicationFailure) of work the case no longer accepts.
   */
  constructor(
    private readonly state: () => unknown,
    private readonly stillValid: (w: W) => void = () => undefined,
  ) {}

  /** In an Update handler: hands `work` to the main loop; resolves with its answer once the loop has done it. */
  async hand<R>(work: W): Promise<R> {
    const letter: Letter<W> = { work, posted: false, answered: false };
    this.queued.push(letter);
    await condition(() => letter.answered);
    if (letter.refusal) throw letter.refusal;
    return ('answer' in letter ? letter.answer : this.state()) as R;
  }

  /** From a signal, or a handler that answers at once: work for the main loop that nobody waits for. */
  post(work: W): void {
    this.queued.push({ work, posted: true, answered: true });
  }

  /** Is work waiting (that `which` accepts)? */
  has(which: (w: W) => boolean = () => true): boolean {
    return this.queued.some((l) => which(l.work));
  }

  /** The main loop takes the first waiting work that `which` accepts and the case still accepts. */
  take<T extends W>(which: (w: W) => w is T): T | undefined;
  take(which?: (w: W) => boolean): W | undefined;
  take(which: (w: W) => boolean = () => true): W | undefined {
    for (;;) {
      const i = this.queued.findIndex((l) => which(l.work));
      if (i < 0) return undefined;
      const [letter] = this.queued.splice(i, 1);
      this.taken.push(letter);
      if (this.check(letter)) return letter.work;
    }
  }

  /** The answer to taken work, when it is not the case's state. */
  answer(work: W, answer: unknown): void {
    const letter = this.taken.find((l) => l.work === work);
    if (letter) letter.answer = answer;
  }

  /** Taken work refused after all (an activity refused it). */
  refuse(work: W, refusal: ApplicationFailure): void {
    const letter = this.taken.find((l) => l.work === work);
    if (letter) letter.refusal = refusal;
  }

  /**
   * Every wait of the main loop: answers the work taken so far and refuses waiting work that is no
   * longer valid, then waits until `done()` (at most `timeoutMs`; Infinity waits without a
   * deadline). True when `done()`, false on the timeout.
   */
  async wait(done: () => boolean, timeoutMs = Infinity): Promise<boolean> {
    // in order: each letter is checked with the valid ones before it waiting
    for (const letter of this.queued.splice(0)) {
      if (letter.posted || this.check(letter)) this.queued.push(letter);
      else this.taken.push(letter);
    }
    this.answerTaken();
    if (done()) return true;
    if (timeoutMs === Infinity) {
      await condition(done);
      return true;
    }
    return condition(done, Math.max(1, Math.ceil(timeoutMs)));
  }

  /** The case ends: taken work is answered, work never taken is refused. */
  close(refusal: () => ApplicationFailure): void {
    for (const letter of this.queued.splice(0)) {
      letter.refusal = refusal();
      this.taken.push(letter);
    }
    this.answerTaken();
  }

  /** Validates a letter again; a refusal is kept as its answer. */
  private check(letter: Letter<W>): boolean {
    try {
      this.stillValid(letter.work);
      return true;
    } catch (err) {
      if (!(err instanceof ApplicationFailure)) throw err;
      letter.refusal = err;
      return false;
    }
  }

  private answerTaken(): void {
    for (const letter of this.taken.splice(0)) letter.answered = true;
  }
}
