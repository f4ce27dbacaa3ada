//! A local look-alike of the LinkedIn pages the tool visits (being written).
