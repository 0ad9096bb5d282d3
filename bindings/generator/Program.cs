using Dialtone.Bindings.Generator;

// Usage: Dialtone.Bindings.Generator [header] [output]
// Defaults are the repository's header and checked-in output, found by walking up from the
// current directory to the folder holding Interop.sln.
string root = RepositoryPaths.FindRoot(Directory.GetCurrentDirectory());
string header = args.Length > 0 ? args[0] : RepositoryPaths.Header(root);
string output = args.Length > 1 ? args[1] : RepositoryPaths.GeneratedBindings(root);

try
{
    string code = BindingGenerator.Generate(header);
    File.WriteAllText(output, code);
    Console.WriteLine($"wrote {output}");
    return 0;
}
catch (GeneratorException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
