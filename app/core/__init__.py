"""What every area shares: database base, permissions, htmx helpers, time, audit."""
