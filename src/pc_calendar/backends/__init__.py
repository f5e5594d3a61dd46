"""Calendar backends: one small class per calendar system behind one interface."""
