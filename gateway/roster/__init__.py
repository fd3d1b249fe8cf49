"""Rostering a site from the store: policy and demand files, the service, renderings."""
