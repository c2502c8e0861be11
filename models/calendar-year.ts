import { Schema } from 'mongoose';

/** An official year calendar loaded by an admin (PUT /calendar/years/:year); _id is the year. */
export interface CalendarYearDoc {
  _id: number;
  holidays: string[];
  workdays: string[];
  loadedAt: Date;
  loadedBy: string;
}

export const calendarYearSchema = new Schema<CalendarYearDoc>(
  {
    _id: { type: Number, required: true },
    holidays: { type: [String], default: [] },
    workdays: { type: [String], default: [] },
    loadedAt: { type: Date, required: true },
    loadedBy: { type: String, required: true },
  },
  { collection: 'calendar_years', versionKey: false },
);
