import { ReactFlowProvider } from "@xyflow/react";
import { useCallback, useEffect, useState } from "react";
import { getToken, onUnauthorized, request, setToken } from "./api";
import { Canvas } from "./Canvas";
import { Login } from "./Login";

export function App() {
  const [loggedIn, setLoggedIn] = useState(getToken() !== null);

  useEffect(() => onUnauthorized(() => setLoggedIn(false)), []);

  const logout = useCallback(() => {
    if (getToken()) void request("/access/logout", { method: "DELETE" }).catch(() => undefined);
    setToken(null);
    setLoggedIn(false);
  }, []);

  if (!loggedIn) return <Login onLoggedIn={() => setLoggedIn(true)} />;
  return (
    <ReactFlowProvider>
      <Canvas onLogout={logout} />
    </ReactFlowProvider>
  );
}
