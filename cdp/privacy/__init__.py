"""Privacy: requests from data subjects (erase, export, restrict), the suppression list that
keeps an erased person out, and the audit of every request."""
