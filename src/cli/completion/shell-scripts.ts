/**
 * The scripts `kfp-upgrade completion <shell>` prints. Each asks `kfp-upgrade __complete <words…>` for the
 * candidates of the word being typed (one per line) and falls back to file names when there are none (paths).
 */
export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

export function completionScript(shell: Shell): string {
  switch (shell) {
    case "bash":
      return `# kfp-upgrade completion for bash: source <(kfp-upgrade completion bash), or save it in
# ~/.local/share/bash-completion/completions/kfp-upgrade
_kfp_upgrade() {
  local IFS=$'\\n'
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  COMPREPLY=($(kfp-upgrade __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
  if [[ \${#COMPREPLY[@]} -eq 0 ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _kfp_upgrade kfp-upgrade
`;
    case "zsh":
      return `#compdef kfp-upgrade
# kfp-upgrade completion for zsh: save as _kfp-upgrade in a directory of $fpath, or
# source <(kfp-upgrade completion zsh)
_kfp_upgrade() {
  local -a candidates
  candidates=("\${(@f)$(kfp-upgrade __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if [[ \${#candidates} -gt 0 && -n "\${candidates[1]}" ]]; then
    compadd -a candidates
  else
    _files
  fi
}
compdef _kfp_upgrade kfp-upgrade
`;
    case "fish":
      return `# kfp-upgrade completion for fish: kfp-upgrade completion fish > ~/.config/fish/completions/kfp-upgrade.fish
function __kfp_upgrade_complete
  set -l words (commandline -opc) (commandline -ct)
  set -l candidates (kfp-upgrade __complete $words[2..-1] 2>/dev/null)
  if test (count $candidates) -gt 0
    printf '%s\\n' $candidates
  else
    __fish_complete_path (commandline -ct)
  end
end
complete -c kfp-upgrade -f -a '(__kfp_upgrade_complete)'
`;
    default:
      return shell satisfies never;
  }
}
