"""Audio: loudness, the limiter, the leveler, the speech map, cleanup and cuts."""
