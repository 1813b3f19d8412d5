"""The patient-facing web app."""
