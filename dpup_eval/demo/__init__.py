"""The demo programme, Best foot forward: made-up data (`generator`, `text`) and planted problems (`messy`).

The only code in the package that knows the demo programme's fields. Nobody in its data is real.

May import: any stage it demonstrates (`agreement`, `intake`) and the base modules.
"""
