/**
 * recognitions (竞赛选拔 直接认定, 000 §二(三)4, 003 §六): one document per recognition, written only by
 * its `recognition/<id>` workflow's activity (one writer). `key` (competition, holder, occupation)
 * is unique: a competition recognises a person once in an occupation.
 */
import { Schema } from 'mongoose';

export interface RecognitionDoc {
  /** the recognition id, also the certificate's `batchId` */
  _id: string;
  key: string;
  province: string;
  competition: string;
  rank: number;
  holder: { name: string; idNumber: string; sex: 'M' | 'F' };
  occupation: { code: string; name: string };
  trade: string | null;
  level: number;
  /** the certificate number once issued */
  number: string | null;
  recordedBy: { sub: string; name: string; role: string };
  recordedAt: Date;
}

export const recognitionSchema = new Schema<RecognitionDoc>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true, unique: true },
    province: { type: String, required: true },
    competition: { type: String, required: true },
    rank: { type: Number, required: true },
    holder: { name: String, idNumber: String, sex: String },
    occupation: { code: String, name: String },
    trade: { type: String, default: null },
    level: { type: Number, required: true },
    number: { type: String, default: null },
    recordedBy: { sub: String, name: String, role: String },
    recordedAt: { type: Date, required: true },
  },
  { collection: 'recognitions', versionKey: false },
);
recognitionSchema.index({ province: 1, recordedAt: -1 });
