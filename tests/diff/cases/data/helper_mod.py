NAMES = ['alpha']
