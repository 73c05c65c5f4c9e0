// The one way the canvas talks to the server: fetch with the bearer token, errors as ApiError.

const TOKEN_KEY = "nifi-like-token";
export const API = "/nifi-api";

/** Identifies this browser tab as the writer of its revisions (NiFi's clientId). */
export const CLIENT_ID: string = crypto.randomUUID();

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Raised when the server cannot be reached at all (not an HTTP error). */
export class Unreachable extends Error {}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();
const reachabilityListeners = new Set<(reachable: boolean) => void>();

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function onReachability(listener: (reachable: boolean) => void): () => void {
  reachabilityListeners.add(listener);
  return () => reachabilityListeners.delete(listener);
}

export function reportReachable(reachable: boolean): void {
  reachabilityListeners.forEach((l) => l(reachable));
}

export async function login(username: string, password: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`${API}/access/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "text/plain" },
      body: new URLSearchParams({ username, password }),
    });
  } catch {
    throw new Unreachable("The server cannot be reached");
  }
  const text = await response.text();
  if (!response.ok) throw new ApiError(response.status, errorMessage(text));
  return text.trim();
}

function errorMessage(text: string): string {
  try {
    const body: unknown = JSON.parse(text);
    if (body && typeof body === "object" && "message" in body && typeof body.message === "string") return body.message;
  } catch {
    // a plain-text error body, as NiFi sends
  }
  return text || "Request failed";
}

/** A raw authenticated request; 401 logs out, a network failure raises Unreachable. */
export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = getToken();
  if (token) headers.set("Authorization", `Bearer ${token}`);
  // FormData sets its own multipart Content-Type (with the boundary).
  if (init.body !== undefined && !(init.body instanceof FormData) && !headers.has("Content-Type"))
    headers.set("Content-Type", "application/json");
  let response: Response;
  try {
    response = await fetch(`${API}${path}`, { ...init, headers });
  } catch {
    reportReachable(false);
    throw new Unreachable("The server cannot be reached");
  }
  reportReachable(true);
  if (response.status === 401) {
    setToken(null);
    unauthorizedListeners.forEach((l) => l());
    throw new ApiError(401, "Your session has ended; please log in again");
  }
  if (!response.ok) throw new ApiError(response.status, errorMessage(await response.text()));
  return response;
}

export async function getJson<T>(path: string): Promise<T> {
  return (await (await request(path)).json()) as T;
}

export async function sendJson<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await request(path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return (text ? JSON.parse(text) : {}) as T;
}

export function revisionOf(version: number): { version: number; clientId: string } {
  return { version, clientId: CLIENT_ID };
}

export function versionQuery(version: number): string {
  return `version=${version}&clientId=${encodeURIComponent(CLIENT_ID)}`;
}

/** What went wrong, in words for the person at the canvas. */
export function messageOf(error: unknown): string {
  if (error instanceof Unreachable) return "The server cannot be reached.";
  if (error instanceof ApiError || error instanceof Error) return error.message;
  return String(error);
}
