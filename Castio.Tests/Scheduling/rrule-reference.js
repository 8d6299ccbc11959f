// Independent reference for RecurrenceReferenceTests: expands each case with rrule.js (its own
// tzid support, not Ical.Net) and prints the instants plus their wall-clock time in the case's zone.
// Input on stdin: [{ id, rrule, dtstart: "20260105T090000", timezone, exdates: [...], take }].
const { rrulestr } = require(process.argv[2]);
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const pad = (n) => String(n).padStart(2, '0');
function local(date, timeZone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(date).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${pad(parts.hour)}:${parts.minute}:${parts.second}`;
}
const out = {};
for (const c of cases) {
  const lines = [`DTSTART;TZID=${c.timezone}:${c.dtstart}`, `RRULE:${c.rrule}`];
  for (const ex of c.exdates) lines.push(`EXDATE;TZID=${c.timezone}:${ex}`);
  const set = rrulestr(lines.join('\n'), { forceset: true });
  const dates = set.all((_, i) => i < c.take);
  out[c.id] = dates.map((d) => ({ startUtc: d.toISOString().replace('.000Z', 'Z'), startLocal: local(d, c.timezone) }));
}
process.stdout.write(JSON.stringify(out));
