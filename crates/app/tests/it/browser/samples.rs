//! The sample review in the browser: cards, a mistake on the way, verdicts saved as given.
