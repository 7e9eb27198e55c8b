"""Meetings of panels, their agendas and attendance."""
