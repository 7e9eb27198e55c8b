// Live chair mode (templates/meeting/live.html): progressive enhancement only. The server
// writes how far ahead or behind the meeting runs when the page is drawn; this keeps that line
// up to date each second without reloading, and asks before leaving with unsaved typing. It
// mirrors casework/meetings/live.py's pace() and duration(): keep the two alike.

const timer = document.getElementById("live-timer");
const shown = document.getElementById("live-pace");

function duration(minutes) {
  if (minutes < 1) return "less than a minute";
  const hours = Math.floor(minutes / 60);
  const mins = minutes % 60;
  const parts = [];
  if (hours) parts.push(`${hours} hour${hours === 1 ? "" : "s"}`);
  if (mins) parts.push(`${mins} minute${mins === 1 ? "" : "s"}`);
  return parts.join(" ");
}

// A gap in milliseconds to the nearest whole minute, as the server rounds it.
function wholeMinutes(ms) {
  return Math.floor((Math.trunc(ms / 1000) + 30) / 60);
}

function paceText(now, start, end, meetingStart) {
  if (now < meetingStart) return "The meeting has not started yet";
  if (now > end) return `Running ${duration(wholeMinutes(now - end))} behind`;
  if (now < start) return `Running ${duration(wholeMinutes(start - now))} ahead`;
  return `On time: ${duration(wholeMinutes(end - now))} left in this case's slot`;
}

if (timer && shown) {
  // The service's clock, not the browser's: a rehearsal server may run at another time.
  const skew = Number(timer.dataset.now) - Date.now();
  const start = Number(timer.dataset.slotStart);
  const end = Number(timer.dataset.slotEnd);
  const meetingStart = Number(timer.dataset.meetingStart);
  const tick = () => {
    const text = paceText(Date.now() + skew, start, end, meetingStart);
    if (shown.textContent !== text) shown.textContent = text;
  };
  tick();
  setInterval(tick, 1000);
}

// Nothing typed is lost by following a link (next case, jump to a case) before saving.
const form = document.getElementById("live-form");
if (form) {
  let dirty = false;
  const mark = (event) => {
    const field = event.target;
    if (field.form === form) dirty = true;
  };
  document.addEventListener("input", mark);
  document.addEventListener("change", mark);
  form.addEventListener("submit", () => {
    dirty = false;
  });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
}
