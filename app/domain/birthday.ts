// Birthdays in the shop's local calendar.

export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

export function localDate(now: Date, timeZone: string): LocalDate {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "numeric", day: "numeric" }).formatToParts(now);
  } catch {
    parts = new Intl.DateTimeFormat("en-US", {
      timeZone: "UTC",
      year: "numeric",
      month: "numeric",
      day: "numeric",
    }).formatToParts(now);
  }
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return { year: get("year"), month: get("month"), day: get("day") };
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Whether a birthday (month, day) falls on the local date; 29 February is kept on the 28th in other years. */
export function isBirthday(month: number, day: number, today: LocalDate): boolean {
  if (month === 2 && day === 29 && !isLeap(today.year)) return today.month === 2 && today.day === 28;
  return today.month === month && today.day === day;
}

/**
 * The birthday `daysBefore` days from today (local dates): its month, day and year, for a gift
 * issued that many days ahead (daysBefore 0: today). Calendar arithmetic on the date alone.
 */
export function dateAhead(today: LocalDate, daysBefore: number): LocalDate {
  const d = new Date(Date.UTC(today.year, today.month - 1, today.day + daysBefore));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/**
 * Which anniversary of joining the local date `today` is (1, 2, …), or null when it is none: the
 * day and month of enrolment, from the next year on; joined on 29 February, kept on the 28th in
 * other years.
 */
export function anniversaryOf(enrolled: LocalDate, today: LocalDate): number | null {
  const years = today.year - enrolled.year;
  if (years < 1) return null;
  return isBirthday(enrolled.month, enrolled.day, today) ? years : null;
}
