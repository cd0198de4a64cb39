// The campaigns kill with SIGKILL, mount a tmpfs and check Unix file modes: they run on Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
