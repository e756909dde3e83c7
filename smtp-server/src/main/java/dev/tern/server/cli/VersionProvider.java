package dev.tern.server.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest, or a marker when running from classes. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = TernCommand.class.getPackage().getImplementationVersion();
        return new String[] {"tern " + (version == null ? "(development build)" : version), "Java " + Runtime.version()
        };
    }
}
