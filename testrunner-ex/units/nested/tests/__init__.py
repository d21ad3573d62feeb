# A tests package three directories below the test path.
