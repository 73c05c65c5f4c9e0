// Numbers as NiFi shows them: counts with separators, sizes in binary units.

const UNITS = ["bytes", "KB", "MB", "GB", "TB"];

export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit]}`;
}

export function formatCount(count: number): string {
  return count.toLocaleString("en-US");
}

export function countAndSize(count: number, bytes: number): string {
  return `${formatCount(count)} (${formatSize(bytes)})`;
}

export function formatDuration(millis: number): string {
  const seconds = Math.floor(millis / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${pad(h)}:${pad(m)}:${pad(s)}.${String(millis % 1000).padStart(3, "0")}`;
}

export function shortType(type: string): string {
  return type.slice(type.lastIndexOf(".") + 1);
}
