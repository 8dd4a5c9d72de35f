"""The neutral core: settings, redaction, money and dates, languages. Imports no other layer of ReturnDesk."""
