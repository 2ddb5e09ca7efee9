"""Cases: each agency an incident is routed to works it as a case of its own, with a status
workflow, assignments, tasks, requests for assistance between agencies, comments and
attachments, and a timeline of every change."""
