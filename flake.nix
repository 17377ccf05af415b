{
  description = "keshikomi (消込): nightly reconciliation of parcels to orders and payouts to transfers";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          packages = [ pkgs.nodejs_20 pkgs.postgresql_16 ];
          shellHook = ''
            echo "keshikomi: npm ci && npm start  |  npm test"
          '';
        };
      });

      packages = forAllSystems (pkgs: {
        default = pkgs.buildNpmPackage {
          pname = "keshikomi";
          version = "0.1.0";
          src = ./.;
          nodejs = pkgs.nodejs_20;
          # Nix fetches the dependencies itself; it needs a lockfile with "resolved"
          # URLs (npm install --no-omit-lockfile-registry-resolved) and prints the hash
          # to put here on the first build.
          npmDepsHash = pkgs.lib.fakeHash;
          dontNpmBuild = true;
          nativeBuildInputs = [ pkgs.makeWrapper ];
          installPhase = ''
            runHook preInstall
            mkdir -p $out/lib/keshikomi $out/bin
            cp -r package.json bin src node_modules $out/lib/keshikomi/
            makeWrapper ${pkgs.nodejs_20}/bin/node $out/bin/keshikomi \
              --add-flags $out/lib/keshikomi/bin/keshikomi.mjs
            runHook postInstall
          '';
          meta.mainProgram = "keshikomi";
        };
      });

      apps = forAllSystems (pkgs: {
        default = {
          type = "app";
          program = "${self.packages.${pkgs.system}.default}/bin/keshikomi";
        };
      });

      # Nightly run as a systemd timer: `keshikomi run` on that day's inbox, Japan time.
      nixosModules.default = { config, lib, pkgs, ... }:
        let cfg = config.services.keshikomi;
        in {
          options.services.keshikomi = {
            enable = lib.mkEnableOption "keshikomi nightly reconciliation";
            package = lib.mkOption {
              type = lib.types.package;
              default = self.packages.${pkgs.system}.default;
            };
            inbox = lib.mkOption { type = lib.types.path; description = "Folder the exports are dropped into."; };
            outDir = lib.mkOption { type = lib.types.path; default = "/var/lib/keshikomi/reports"; };
            onCalendar = lib.mkOption {
              type = lib.types.str;
              default = "*-*-* 02:30:00 Asia/Tokyo";
              description = "When the nightly run starts (systemd.time).";
            };
            reportGroup = lib.mkOption {
              type = lib.types.nullOr lib.types.str;
              default = null;
              description = "Group that may read the workbooks (KESHIKOMI_REPORT_GROUP); null: owner-only.";
            };
            databaseUrlFile = lib.mkOption {
              type = lib.types.nullOr lib.types.path;
              default = null;
              description = "File holding DATABASE_URL=...; unset: the embedded PostgreSQL under /var/lib/keshikomi.";
            };
          };
          config = lib.mkIf cfg.enable {
            users.users.keshikomi = {
              isSystemUser = true;
              group = "keshikomi";
              home = "/var/lib/keshikomi";
              extraGroups = lib.optional (cfg.reportGroup != null) cfg.reportGroup;
            };
            users.groups.keshikomi = { };
            systemd.services.keshikomi = {
              description = "keshikomi reconciliation run";
              serviceConfig = {
                Type = "oneshot";
                User = "keshikomi";
                Group = "keshikomi";
                # Least privilege (docs/operations.md): files owner-only, a private state
                # folder, nothing else of the system writable.
                StateDirectory = "keshikomi";
                StateDirectoryMode = "0700";
                UMask = "0077";
                ProtectSystem = "strict";
                ProtectHome = true;
                PrivateTmp = true;
                PrivateDevices = true;
                NoNewPrivileges = true;
                ProtectKernelTunables = true;
                ProtectKernelModules = true;
                ProtectControlGroups = true;
                RestrictSUIDSGID = true;
                LockPersonality = true;
                # The reports folder may lie outside the state folder.
                ReadWritePaths = [ cfg.outDir ];
                ReadOnlyPaths = [ cfg.inbox ];
                WorkingDirectory = "/var/lib/keshikomi";
                Environment = [ "KESHIKOMI_DATA_DIR=/var/lib/keshikomi/db" ]
                  ++ lib.optional (cfg.reportGroup != null) "KESHIKOMI_REPORT_GROUP=${cfg.reportGroup}";
                EnvironmentFile = lib.mkIf (cfg.databaseUrlFile != null) cfg.databaseUrlFile;
                ExecStart = "${cfg.package}/bin/keshikomi run --inbox ${cfg.inbox} --out ${cfg.outDir}";
                # 2 = finished, some input rejected (reported in the workbooks): not a failure of the service.
                SuccessExitStatus = [ 2 ];
              };
            };
            systemd.timers.keshikomi = {
              wantedBy = [ "timers.target" ];
              timerConfig = { OnCalendar = cfg.onCalendar; Persistent = true; };
            };
          };
        };
    };
}
