/** Time inside workflow code: workflow time only (deterministic; the sandbox's Date is replayed). */
import { addMonths, addYears, chinaDateOf, endOfDayMs, isoChina } from '../domain/dates';

/** Workflow time, epoch millis. */
export const nowMs = (): number => new Date().getTime();
export const iso = (ms: number): string => isoChina(ms);
export const chinaDate = (ms: number): string => chinaDateOf(ms);
export const endOfChinaDayMs = (date: string): number => endOfDayMs(date);
export const addMonthsToDate = (date: string, n: number): string => addMonths(date, n);
export const addYearsToDate = (date: string, n: number): string => addYears(date, n);
