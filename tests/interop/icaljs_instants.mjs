// Reads .ics files the way Thunderbird and Nextcloud's calendar app do, with Mozilla's
// ical.js: the file's own VTIMEZONEs are registered with ICAL.TimezoneService, then each
// VEVENT's DTSTART and DTEND are converted to UTC by ical.js.
//
// Usage: node icaljs_instants.mjs FILE...
// Prints JSON: {FILE: [{uid, summary, start, end, start_zone, end_zone}, ...]} where start
// and end are "YYYY-MM-DDTHH:MM:SSZ" for a timed value, "YYYY-MM-DD" for a date, and
// *_zone is the TZID ical.js resolved (null for UTC or a date; "floating" if unresolved).
import { readFileSync } from "node:fs";
import ICAL from "../tools/node_modules/ical.js/dist/ical.js";

function pad(n, width = 2) {
  return String(n).padStart(width, "0");
}

function instant(time) {
  if (time.isDate) {
    return [`${pad(time.year, 4)}-${pad(time.month)}-${pad(time.day)}`, null];
  }
  const zone = time.zone;
  let name = null;
  if (zone === ICAL.Timezone.utcTimezone) {
    name = null;
  } else if (!zone || zone === ICAL.Timezone.localTimezone || !zone.tzid) {
    name = "floating";
  } else {
    name = zone.tzid;
  }
  const utc = time.convertToZone(ICAL.Timezone.utcTimezone);
  const text =
    `${pad(utc.year, 4)}-${pad(utc.month)}-${pad(utc.day)}T` +
    `${pad(utc.hour)}:${pad(utc.minute)}:${pad(utc.second)}Z`;
  return [text, name];
}

const out = {};
for (const path of process.argv.slice(2)) {
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
  ICAL.TimezoneService.reset();
  for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(vtimezone);
  }
  out[path] = calendar.getAllSubcomponents("vevent").map((vevent) => {
    // No exceptions to relate: we write no RECURRENCE-ID (and relating is O(n²)).
    const event = new ICAL.Event(vevent, { exceptions: [] });
    const [start, startZone] = instant(event.startDate);
    const [end, endZone] = instant(event.endDate);
    return {
      uid: event.uid,
      summary: event.summary,
      start,
      end,
      start_zone: startZone,
      end_zone: endZone,
    };
  });
}
process.stdout.write(JSON.stringify(out));
