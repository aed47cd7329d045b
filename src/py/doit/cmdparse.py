"""Command-line options of tasks (the `params` key), parsed like doit does.

Parsing is getopt's (not GNU getopt): options after a task name belong to
it and parsing stops at the first argument that is not an option.
"""

import copy
import getopt
import os


class CmdParseError(Exception):
    """Error parsing options"""


class DefaultUpdate(dict):
    """dict remembering which keys hold a value that is not a default"""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._non_default_keys = set()

    def set_default(self, key, value):
        """set key without marking it as explicitly given"""
        dict.__setitem__(self, key, value)

    def add_defaults(self, source):
        """set defaults for the keys of source that are not present"""
        for key, value in source.items():
            if key not in self:
                self.set_default(key, value)

    def update_defaults(self, update_dict):
        """update only the keys still holding a default value"""
        for key, value in update_dict.items():
            if key not in self._non_default_keys:
                self.set_default(key, value)

    def __setitem__(self, key, value):
        try:
            self._non_default_keys.add(key)
        except AttributeError:  # unpickled instance
            self._non_default_keys = {key}
        dict.__setitem__(self, key, value)


_BOOLEAN_WORDS = {'1': True, 'yes': True, 'true': True, 'on': True,
                  '0': False, 'no': False, 'false': False, 'off': False}


class CmdOption(object):
    """One option: a dict with name and default, and optionally type, short,
    long, inverse, choices, help, env_var, metavar (doit 0.35: the
    argument's name in help) and section (doit 0.32: a heading for help)."""

    def __init__(self, opt_dict):
        fields = dict(opt_dict)
        for required in ('name', 'default'):
            if required not in fields:
                msg = "CmdOption dict %r missing required property '%s'"
                raise CmdParseError(msg % (opt_dict, required))
        self.name = fields.pop('name')
        self.type = fields.pop('type', str)
        self.set_default(fields.pop('default'))
        self.short = fields.pop('short', '')
        self.long = fields.pop('long', '')
        self.inverse = fields.pop('inverse', '')
        self.choices = dict(fields.pop('choices', []))
        self.help = fields.pop('help', '')
        self.env_var = fields.pop('env_var', None)
        self.metavar = fields.pop('metavar', 'ARG')
        self.section = fields.pop('section', '')
        if fields:
            msg = "CmdOption dict contains invalid property '%s'"
            raise CmdParseError(msg % list(fields.keys()))

    def __repr__(self):
        return ("%s({'name':%r, 'short':%r,'long':%r })"
                % (type(self).__name__, self.name, self.short, self.long))

    def set_default(self, val):
        """set the default value (already of the option's type)"""
        self.default = copy.copy(val) if self.type is list else val

    def validate_choice(self, given_value):
        """raise CmdParseError unless given_value is one of the choices"""
        if given_value in self.choices:
            return
        listed = ", ".join("'%s'" % key for key in self.choices)
        raise CmdParseError(
            "Error parsing parameter '%s'. Provided '%s' but available "
            "choices are: %s." % (self.name, given_value, listed))

    @staticmethod
    def str2boolean(str_val):
        """convert a word like yes/no/1/0/on/off/true/false to bool"""
        try:
            return _BOOLEAN_WORDS[str_val.lower()]
        except (KeyError, AttributeError):
            raise ValueError('Not a boolean: %s' % (str_val,)) from None

    def str2type(self, str_val):
        """convert a string from the command line or a config file"""
        try:
            if not isinstance(str_val, str):
                val = str_val
            elif self.type is bool:
                val = self.str2boolean(str_val)
            elif self.type is list:
                val = [p.strip() for p in str_val.split(',') if p.strip()]
            else:
                val = self.type(str_val)
        except ValueError as exc:
            raise CmdParseError("Error parsing parameter '%s' %s.\n%s\n"
                                % (self.name, self.type, exc)) from None
        if self.choices:
            self.validate_choice(val)
        return val

    # help output, used by `help TASK`
    @staticmethod
    def _two_columns(col1, col2):
        right = col2.replace('\n', '\n' + 28 * ' ')
        return "  %s  %s" % (col1.ljust(24), right)

    def help_param(self):
        """return the option's names as shown in help: -f ARG, --file=ARG"""
        names = []
        if self.short:
            names.append('-%s' % self.short if self.type is bool
                         else '-%s %s' % (self.short, self.metavar))
        if self.long:
            names.append('--%s' % self.long if self.type is bool
                         else '--%s=%s' % (self.long, self.metavar))
        return ', '.join(names)

    def help_choices(self):
        """return the choices part of the help text"""
        if not self.choices:
            return ''
        if any(self.choices.values()):
            return "\nchoices:" + "".join(
                "\n%s: %s" % (key, self.choices[key])
                for key in sorted(self.choices))
        return "\nchoices: " + ", ".join(sorted(self.choices))

    def help_doc(self):
        """return the help lines of this option"""
        if not (self.short or self.long):
            return []
        env = ', environ: %s' % self.env_var if self.env_var else ''
        desc = '%s %s (config: %s%s)' % (self.help % {'default': self.default},
                                         self.help_choices(), self.name, env)
        lines = [self._two_columns(self.help_param(), desc)]
        if self.inverse:
            lines.append(self._two_columns('--%s' % self.inverse,
                                           'opposite of --%s' % self.long))
        return lines


class CmdParse(object):
    """A set of options, parsed from a list of arguments."""
    _type = "Command"

    def __init__(self, options):
        self._options = {}
        for opt in options:
            self._options[opt.name] = opt

    def __contains__(self, key):
        return key in self._options

    def __getitem__(self, key):
        return self._options[key]

    @property
    def options(self):
        """list of CmdOption"""
        return list(self._options.values())

    def get_short(self):
        """short option letters in getopt format"""
        spec = ''
        for opt in self._options.values():
            if opt.short:
                spec += opt.short if opt.type is bool else opt.short + ':'
        return spec

    def get_long(self):
        """long option names in getopt format"""
        names = []
        for opt in self._options.values():
            if not opt.long:
                continue
            names.append(opt.long if opt.type is bool else opt.long + '=')
            if opt.inverse:
                names.append(opt.inverse)
        return names

    def get_option(self, opt_str):
        """return (CmdOption, is_inverse) for '-x' / '--name', or (None, None)"""
        for opt in self._options.values():
            if opt_str in ('-' + opt.short, '--' + opt.long):
                return opt, False
            if opt_str == '--' + opt.inverse:
                return opt, True
        return None, None

    def overwrite_defaults(self, new_defaults):
        """replace defaults with values from a config file (strings)"""
        for key, val in new_defaults.items():
            if key in self._options:
                opt = self._options[key]
                opt.set_default(opt.str2type(val))

    def parse(self, in_args):
        """return (values: DefaultUpdate, remaining positional arguments)"""
        params = DefaultUpdate()
        for opt in self._options.values():
            default = opt.default
            params.set_default(opt.name, list(default)
                               if isinstance(default, list) else default)
        for opt in self._options.values():
            if opt.env_var:
                val = os.getenv(opt.env_var)
                if val is not None:
                    params[opt.name] = opt.str2type(val)
        try:
            opts, args = getopt.getopt(in_args, self.get_short(),
                                       self.get_long())
        except getopt.GetoptError as error:
            raise CmdParseError("Error parsing %s: %s (parsing options: %s)"
                                % (self._type, error, in_args)) from None
        for opt_str, val in opts:
            this, inverse = self.get_option(opt_str)
            if this.type is bool:
                params[this.name] = not inverse
            elif this.type is list:
                params[this.name].append(val)
            else:
                params[this.name] = this.str2type(val)
        return params, args


class TaskParse(CmdParse):
    """Options of a task"""
    _type = "Task"
