#!/bin/sh
# Shell workload for `npm run bench`: 10,000 loop iterations (argument 1 changes the count) mixing shell
# builtins (arithmetic, test, case, parameter expansion, printf), expr every 10th iteration (a fork in
# busybox sh: expr is a NOEXEC applet), sed and awk on every line of the loop's output through a pipeline,
# and sed/awk in command substitutions every 500th iteration. The output is deterministic; the benchmark
# compares its checksum between wasmux and native busybox.
n=${1:-10000}

gen() {
  i=0 sum=0 odd=0 x=0
  while [ "$i" -lt "$n" ]; do
    i=$((i + 1))
    case $((i % 4)) in
      0) w=alpha ;;
      1) w=beta ;;
      2) w=gamma ;;
      *) w=delta ;;
    esac
    sum=$(((sum * 31 + i) % 100003))
    if test $((i & 1)) -eq 1 && [ "$w" != gamma ]; then odd=$((odd + 1)); fi
    s="$w-$i-$sum"
    t=${s#*-}
    if [ $((i % 10)) -eq 0 ]; then
      x=$(expr "$sum" % 97 + "${#t}")
    fi
    if [ $((i % 500)) -eq 0 ]; then
      u=$(echo "$s" | sed 's/-/:/g')
      v=$(echo "$t" | awk -F- '{ print $2 * 2 }')
      printf '# %s %s %s\n' "$u" "$v" "$odd"
    fi
    printf '%d %s %s %d %d\n' "$i" "$w" "$t" "${#s}" "$x"
  done
}

gen | sed -e 's/alpha/ALPHA/' -e '/^[0-9]*7 /d' -e 's/^\([0-9]*\)0 /\1_ /' |
  awk '/^#/ { h++; next } { c[$2]++; t += $5; l += $4 } END { printf "lines %d\n", NR; printf "hashes %d\n", h; printf "sum %d %d\n", t, l; for (k in c) print k, c[k] | "sort" }'
