"""dodo's doit compatibility version (the doit API level it provides)"""
VERSION = (0, 36, 0)
