using Corbado.Oidc.Server.Hosting;
using Mono.Cecil;

namespace Corbado.Oidc.Server.Tests.Architecture;

/// <summary>
/// Dependencies run one way, from the edges inward (docs/architecture.md): the doors (FastPath, Handlers, Endpoints)
/// call the login core (Login), which uses the client read model (Clients), storage (Persistence) and reporting
/// (Diagnostics); Hosting wires everything, and only the command line (Admin), which builds a host, references it. Read
/// from the compiled IL, so a reference through a fully qualified name or a lambda counts too.
/// </summary>
public sealed class DependencyDirectionTests
{
    private const string Root = "Corbado.Oidc.Server";

    /// <summary>For each namespace below <see cref="Root"/>, the others it may reference.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Diagnostics"] = [],
        ["Persistence"] = [],
        ["Clients"] = ["Persistence", "Diagnostics"],
        ["Login"] = ["Clients", "Persistence", "Diagnostics"],
        ["Protocol"] = ["Login"],
        ["FastPath"] = ["Login", "Clients", "Protocol", "Diagnostics"],
        ["Handlers"] = ["Login", "Clients", "Protocol", "Diagnostics"],
        // The admin API is the command line's verbs over HTTP.
        ["Endpoints"] = ["Login", "Clients", "Protocol", "Diagnostics", "Persistence", "Admin"],
        // The command line is the operator's door: it builds a host and may use the login core (enrolment links).
        ["Admin"] = ["Login", "Clients", "Persistence", "Diagnostics", "Hosting"],
        ["Hosting"] = ["Login", "Clients", "Protocol", "FastPath", "Handlers", "Endpoints", "Persistence", "Diagnostics", "Admin"],
    };

    [Fact]
    public void ServerNamespaces_ReferenceOnlyInward()
    {
        var backwards = References(typeof(CorbadoOidcServerExtensions).Assembly.Location)
            .Where(edge => !Allowed.TryGetValue(edge.From, out var allowed) || !allowed.Contains(edge.To))
            .Select(edge => $"{edge.From} -> {edge.To} ({edge.Type} uses {edge.Target})")
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(backwards.Count == 0, "References that run backwards:\n" + string.Join('\n', backwards));
    }

    [Fact]
    public void Core_ReferencesNoHostDatabaseOrProtocolFramework()
    {
        using var core = AssemblyDefinition.ReadAssembly(typeof(Core.Refusals.Refusals).Assembly.Location);
        var forbidden = core.MainModule.AssemblyReferences.Select(reference => reference.Name)
            .Where(name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || name.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal)
                || name.StartsWith("OpenIddict", StringComparison.Ordinal) || name.StartsWith("Corbado.Oidc.Server", StringComparison.Ordinal))
            .ToList();

        Assert.Empty(forbidden);
    }

    /// <summary>Every (namespace, namespace) reference between types of the assembly, with one example each.</summary>
    private static IEnumerable<(string From, string To, string Type, string Target)> References(string path)
    {
        using var assembly = AssemblyDefinition.ReadAssembly(path);
        foreach (var type in assembly.MainModule.GetTypes())
        {
            if (Area(type) is not { } from)
            {
                continue;
            }

            foreach (var target in UsedTypes(type))
            {
                if (Area(target) is { } to && to != from && target.Scope == assembly.MainModule)
                {
                    yield return (from, to, Outermost(type).FullName, Outermost(target).FullName);
                }
            }
        }
    }

    /// <summary>The namespace below <see cref="Root"/> a type lives in (nested types: their outermost type's); null outside it.</summary>
    private static string? Area(TypeReference type)
    {
        var ns = Outermost(type).Namespace;
        return ns.StartsWith(Root + ".", StringComparison.Ordinal) ? ns[(Root.Length + 1)..].Split('.')[0] : null;
    }

    private static TypeReference Outermost(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type;
    }

    private static IEnumerable<TypeReference> UsedTypes(TypeDefinition type)
    {
        var used = new List<TypeReference?> { type.BaseType };
        used.AddRange(type.Interfaces.Select(i => i.InterfaceType));
        used.AddRange(type.CustomAttributes.Select(a => a.AttributeType));
        used.AddRange(type.Fields.Select(f => f.FieldType));
        used.AddRange(type.Properties.Select(p => p.PropertyType));
        foreach (var method in type.Methods)
        {
            used.Add(method.ReturnType);
            used.AddRange(method.Parameters.Select(p => p.ParameterType));
            used.AddRange(method.CustomAttributes.Select(a => a.AttributeType));
            if (!method.HasBody)
            {
                continue;
            }

            used.AddRange(method.Body.Variables.Select(v => v.VariableType));
            foreach (var instruction in method.Body.Instructions)
            {
                used.AddRange(instruction.Operand switch
                {
                    TypeReference typeReference => [typeReference],
                    MethodReference methodReference => [methodReference.DeclaringType, methodReference.ReturnType, .. methodReference.Parameters.Select(p => p.ParameterType),
                        .. methodReference is GenericInstanceMethod generic ? generic.GenericArguments : []],
                    FieldReference fieldReference => [fieldReference.DeclaringType, fieldReference.FieldType],
                    _ => [],
                });
            }
        }

        return used.OfType<TypeReference>().SelectMany(Unwrap);
    }

    /// <summary>A type and, for arrays, by-refs and generic instances, the types inside it.</summary>
    private static IEnumerable<TypeReference> Unwrap(TypeReference type)
    {
        switch (type)
        {
            case GenericInstanceType generic:
                yield return generic.ElementType;
                foreach (var argument in generic.GenericArguments.SelectMany(Unwrap))
                {
                    yield return argument;
                }

                break;
            case TypeSpecification specification:
                foreach (var inner in Unwrap(specification.ElementType))
                {
                    yield return inner;
                }

                break;
            default:
                yield return type;
                break;
        }
    }
}
