using Amber.Cli;

return await AmberCli.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
