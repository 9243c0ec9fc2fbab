"""Exchange between installations: edXML codec, packages, hub."""
