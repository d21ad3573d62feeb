"""Tests that leave reference cycles behind (for --gc-after-test).

Found only with --tests-pattern '^cycles$'. Each cycle is a single object
referring to itself, so its report does not depend on addresses or on the
order in which a collector lists the members of a cycle.
"""

import unittest


class LeavesCycles(unittest.TestCase):
    def test_list_cycle(self):
        loop = ["a list that contains itself"]
        loop.append(loop)

    def test_dict_cycle(self):
        loop = {"name": "a dict that contains itself"}
        loop["self"] = loop

    def test_no_cycle(self):
        self.assertEqual(len([1, 2]), 2)
