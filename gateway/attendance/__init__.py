"""Gateway side of attendance: file mode, exports, and the demo's use of the store."""
