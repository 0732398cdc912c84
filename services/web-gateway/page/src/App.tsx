import { useEffect, useState } from 'react';
import { api, useToken, type Session } from './api';
import { FileManager } from './FileManager';
import { LoginForm } from './LoginForm';

/** Logged in or not: asked once at load (the cookie is HttpOnly, so only the server knows). */
export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  useEffect(() => {
    api.session().then(
      (s) => {
        useToken(s.csrfToken);
        setSession(s);
      },
      () => setSession(null),
    );
  }, []);
  if (session === undefined) return <p role="status">Loading…</p>;
  if (!session)
    return (
      <LoginForm
        onLogin={(s) => {
          useToken(s.csrfToken);
          setSession(s);
        }}
      />
    );
  return (
    <FileManager
      username={session.username}
      onLogout={() => {
        useToken('');
        setSession(null);
      }}
    />
  );
}
