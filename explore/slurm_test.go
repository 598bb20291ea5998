package explore

import (
	"reflect"
	"strings"
	"testing"
)

func TestSlurmOptions(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
		err  string
	}{
		{"", nil, ""},
		{"--partition=fpga --time=01:00:00", []string{"--partition=fpga", "--time=01:00:00"}, ""},
		{"-p fpga -t 10 --exclusive", []string{"-p fpga", "-t 10", "--exclusive"}, ""},
		{"fpga", nil, `"fpga" is not an sbatch option`},
	} {
		got, err := SlurmOptions(c.in)
		if (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: %q, %v; want %q, %q", c.in, got, err, c.want, c.err)
		}
	}
}

func TestSlurmScript(t *testing.T) {
	j := SlurmJob{Bin: "/shared/bin/swatsim", Dir: "/shared/runs/it's", Shards: 5, Args: []string{"-p fpga", "--time=10"}}
	script := string(j.Script())
	for _, want := range []string{
		"#SBATCH --array=0-4\n", "#SBATCH -p fpga\n", "#SBATCH --time=10\n",
		"#SBATCH --output=/shared/runs/it's/slurm-%A_%a.out\n",
		`exec '/shared/bin/swatsim' explore --space '/shared/runs/it'\''s/space.yaml' --out '/shared/runs/it'\''s' --shard "${SLURM_ARRAY_TASK_ID}/5"`,
	} {
		if !strings.Contains(script, want) {
			t.Errorf("script lacks %q:\n%s", want, script)
		}
	}
	args := j.mergeArgs("77")
	want := []string{"--dependency=afterok:77", "--job-name=swatsim-explore-merge", "--output=/shared/runs/it's/slurm-merge-%j.out",
		"-p", "fpga", "--time=10", `--wrap='/shared/bin/swatsim' explore merge '/shared/runs/it'\''s'`}
	if !reflect.DeepEqual(args, want) {
		t.Errorf("merge job args\n%q\nwant\n%q", args, want)
	}
}
