"""The national threat picture: incidents rolled up by threat, event type, region and day,
kept up to date as incidents are written, so that the picture never scans raw incidents."""
