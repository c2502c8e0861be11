/**
 * The working-day calendar as the system sees it now: chinese-days' official years, overridden
 * by the years an admin loaded into the database. Read fresh on each call (the collection holds a
 * handful of small documents), so the API and every worker agree as soon as a year is loaded.
 */
import { WorkingDayCalendar, type YearCalendar } from '../domain/calendar';
import type { Models } from '../models';

export class CalendarStore {
  constructor(private readonly models: Models) {}

  async loadedYears(): Promise<YearCalendar[]> {
    const docs = await this.models.CalendarYear.find().lean();
    return docs.map((d) => ({ year: d._id, holidays: d.holidays, workdays: d.workdays }));
  }

  async calendar(): Promise<WorkingDayCalendar> {
    return new WorkingDayCalendar(await this.loadedYears());
  }

  /** Replaces one year's official list (a single-document upsert keyed by the year). */
  async saveYear(y: YearCalendar, loadedBy: string, at: Date): Promise<void> {
    await this.models.CalendarYear.replaceOne(
      { _id: y.year },
      { _id: y.year, holidays: [...y.holidays].sort(), workdays: [...y.workdays].sort(), loadedAt: at, loadedBy },
      { upsert: true },
    );
  }
}
